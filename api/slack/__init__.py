"""The Slack bot: Bolt mounted in the FastAPI app, answering with the same pipeline."""
