"""Sign-in and roles: the role ladder and what each role may do (roles), the allowlist of who
has which role (allowlist), signed workshop participant tokens (tokens) and the audit log
(audit). No Streamlit here: csp_dash/ui/auth.py is the only code that reads st.user."""
