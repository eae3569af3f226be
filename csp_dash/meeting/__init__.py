"""Meeting mode: packs of saved views a chair steps through at a partnership meeting.

views (a saved view: page, filters, page controls and tab; its link), pack (the packs and
their slides in the database). No Streamlit: the presenter is in csp_dash/ui/meeting/.
"""
