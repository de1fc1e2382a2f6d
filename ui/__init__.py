"""The Streamlit app, and nothing else.

`pages/` (one file a page), the session's state, the shared sidebar, cached
runs, sweep folders, the workshop store, and `remote` (the app driven from
outside, for the browser tests and the load benchmark).
"""
