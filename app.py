"""The app's entry: navigation and the shared sidebar.

Run with `streamlit run app.py`.
"""

import streamlit as st

from ui import sidebar

st.set_page_config(
    page_title="Service-profit chain simulator", page_icon=":material/link:", layout="wide"
)

navigation = st.navigation(
    [
        st.Page(
            "app_pages/simulator.py", title="Simulator", icon=":material/play_circle:", default=True
        ),
        st.Page(
            "app_pages/compare.py", title="Compare scenarios", icon=":material/compare_arrows:"
        ),
        st.Page("app_pages/organisation.py", title="Organisation", icon=":material/store:"),
        st.Page("app_pages/experiments.py", title="Experiments", icon=":material/science:"),
        st.Page("app_pages/workshop.py", title="Workshop", icon=":material/groups:"),
        st.Page("app_pages/facilitator.py", title="Facilitate", icon=":material/co_present:"),
        st.Page("app_pages/about.py", title="About the model", icon=":material/menu_book:"),
    ]
)
if navigation.url_path not in ("experiments", "workshop", "facilitator"):  # their own settings
    sidebar.render()
navigation.run()
