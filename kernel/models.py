"""The kernel has no tables of its own yet; this module lets Django send it
`post_migrate`, after which it installs every app's guards."""
