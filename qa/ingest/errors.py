"""Why an input could not become a document."""


class SkippedInput(Exception):
    """An input that is skipped; the message names the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
