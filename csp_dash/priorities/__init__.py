"""The Strategic Risk Assessment: candidate priorities, data-driven proposals with evidence,
the scoring model and analyst scores, the ranked table and risk matrix, the agreed lists,
and the live workshop (priorities/workshop/). Commands in priorities/cli.py.
"""
