"""The Action plan page's Streamlit pieces: who is viewing, the plan, editing, the review."""
