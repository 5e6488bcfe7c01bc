"""Streamlit views of the explorer (``app.py`` is the entry point).

Each view module has one ``show(kb, link)`` function: widgets in, calls into ``graph/``, display
out; it returns the deep link of what it shows.  Nothing here holds medical logic.
"""
