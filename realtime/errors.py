from kernel.errors import DomainError


class TooManyConnections(DomainError):
    """One account, or one address without an account, opened too many live
    connections."""

    http_status = 429
    code = "too_many_connections"
