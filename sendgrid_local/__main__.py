"""`python -m sendgrid_local --port 8025 --fault-rate 0.3 --seed 7`: a SendGrid
stand-in for staging without an account and for benchmarks in another process."""

from __future__ import annotations

import argparse
from pathlib import Path

from .app import LocalSendGrid
from .events import EventWebhook, Signer
from .faults import FAULT_KINDS, FaultInjector, FaultPlan, parse_kinds
from .http_server import make_server
from .spec import load_contract


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sendgrid_local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of API requests that fail, 0..1"
    )
    parser.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        help="comma-separated, from: " + ",".join(FAULT_KINDS),
    )
    parser.add_argument("--slow-ms", type=int, default=200, help="delay of a 'slow' fault")
    parser.add_argument(
        "--retry-after", type=int, default=1, help="seconds until X-RateLimit-Reset on a 429"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="makes the fault sequence repeatable"
    )
    parser.add_argument(
        "--spec-dir", type=Path, default=None, help="folder with SendGrid's OpenAPI files"
    )
    parser.add_argument(
        "--webhook-url",
        default="",
        help="post signed Event Webhook events here, e.g. http://localhost:8501/api/sendgrid/events",
    )
    parser.add_argument(
        "--webhook-auto",
        action="store_true",
        help="post processed and delivered for every accepted message",
    )
    parser.add_argument(
        "--webhook-key-file",
        type=Path,
        default=None,
        help="PEM file keeping the signing key across restarts (created if missing)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    plan = FaultPlan(
        rate=args.fault_rate,
        kinds=tuple(parse_kinds(args.fault_kinds)),
        slow_ms=args.slow_ms,
        retry_after_s=args.retry_after,
        seed=args.seed,
    )
    webhook = None
    if args.webhook_url:
        signer = Signer.from_file(args.webhook_key_file) if args.webhook_key_file else Signer()
        webhook = EventWebhook(args.webhook_url, signer, args.webhook_auto)
    app = LocalSendGrid(
        contract=load_contract(args.spec_dir), faults=FaultInjector(plan), webhook=webhook
    )
    server = make_server(app, args.host, args.port, verbose=args.verbose)
    print(
        f"local SendGrid on http://{args.host}:{server.server_address[1]} (faults: {plan.to_json()})",
        flush=True,
    )
    if webhook is not None:
        print(
            f"event webhook: {webhook.url}; LIAISON_SENDGRID_WEBHOOK_PUBLIC_KEY={signer.public_key}",
            flush=True,
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
