"""Streamlit helpers shared by the pages: state, sidebar, cached runs, charts."""
