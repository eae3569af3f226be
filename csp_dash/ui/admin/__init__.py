"""The Admin page: the allowlist of roles and the audit log."""
