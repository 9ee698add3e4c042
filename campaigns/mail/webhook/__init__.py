"""SendGrid's signed Event Webhook: checking a post is SendGrid's, and applying its events."""
