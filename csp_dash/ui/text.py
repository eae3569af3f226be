"""User-supplied text (workshop titles and comments, candidate and partner names, event
labels, dataset, category and estate names) inside a Markdown string is escaped here, so it
shows as typed: no links, images (a remote image is a tracking beacon), emphasis or HTML."""

from __future__ import annotations

import re

# Every character CommonMark/GFM may treat as syntax, plus Streamlit's $ (LaTeX) and : (emoji
# and :material/icons:). Escaped with a backslash; a URL's dots and colon break autolinks.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&=\"'])")


def md(value: object) -> str:
    """Text to put inside st.markdown / st.caption / st.title: shown literally, one line."""
    text = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", text)
