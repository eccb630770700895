"""Contributions API: serializers parse and present; services decide.

Needs and offers (`needs`), hours logged and decided (`hours`), and the
time ledger's exports in the shapes of the journal's (`ledger`). Errors are
`{"detail", "code"}` (config/api.py) with the codes of `contributions.errors`.
"""
