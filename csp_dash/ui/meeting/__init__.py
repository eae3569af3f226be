"""Meeting mode's Streamlit pieces: the mode itself (mode), the presenter's bar and the pack
builder (presenter). See docs/architecture.md, "Meeting mode"."""
