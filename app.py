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
            "ui/pages/simulator.py", title="Simulator", icon=":material/play_circle:", default=True
        ),
        st.Page("ui/pages/compare.py", title="Compare scenarios", icon=":material/compare_arrows:"),
        st.Page("ui/pages/organisation.py", title="Organisation", icon=":material/store:"),
        st.Page("ui/pages/experiments.py", title="Experiments", icon=":material/science:"),
        st.Page("ui/pages/setup.py", title="Your organisation", icon=":material/tune:"),
        st.Page("ui/pages/workshop.py", title="Workshop", icon=":material/groups:"),
        st.Page("ui/pages/facilitator.py", title="Facilitate", icon=":material/co_present:"),
        st.Page("ui/pages/about.py", title="About the model", icon=":material/menu_book:"),
    ]
)
OWN_SETTINGS = ("experiments", "setup", "workshop", "facilitator")  # no shared sidebar there
if navigation.url_path not in OWN_SETTINGS:
    sidebar.render()
navigation.run()
