"""Liaison's entry point, for `streamlit run app.py` (and `crm serve`).

Streamlit finds the `st.App` below and serves it with uvicorn, importing this file as
the module `app`; the public routes (health check, unsubscribe, RSVP, review links)
live beside the pages there. Each browser session then runs this same file as its page
script, under the name "__main__", which draws the app.
"""

import streamlit as st
from starlette.middleware import Middleware

from liaison import wiring
from ui.headers import SecurityHeaders
from ui.routes import public_routes
from ui.shell import main

wiring.connect()

if __name__ == "__main__":
    main()
else:
    app = st.App(__file__, routes=public_routes(), middleware=[Middleware(SecurityHeaders)])
