"""Exit codes shared by every command (PRODUCT.md "Exit codes")."""

OK = 0
RUNTIME_FAILURE = 1
USAGE_OR_CONFIG = 2
PAIRING_REJECTED = 3
PAIRING_EXPIRED = 4
TOKEN_REVOKED = 5


class CommandFailed(Exception):
    """End the command with `message` on stderr and exit `code`."""

    def __init__(self, message: str, code: int = RUNTIME_FAILURE):
        super().__init__(message)
        self.code = code
