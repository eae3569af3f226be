"""The action plan: objectives and actions under the agreed priorities, measures computed from
the live series in the cube, the partnership calendar, and the scrutiny review document.

model (the plan's rows and their checks), store (tables), measure (pure measure status),
series (a measure's monthly series from the cube), io (CSV/XLSX), calendar, charts, review
and document (the Word/PDF review), cli (``csp-dash plan ...``).
"""
