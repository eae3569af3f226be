"""`csp-dash`: the entry point (commands.py lists every feature's commands) and what the
commands share (common.py).
"""
