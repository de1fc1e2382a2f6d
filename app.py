"""The app's entry: navigation and the shared sidebar.

Run with `streamlit run app.py`.
"""

import streamlit as st

from model.paths import FAVICON
from ui import sidebar, state


def main() -> None:
    """Set up the page, the navigation and, where the page reads them, the levers."""
    st.set_page_config(
        page_title="Service-profit chain simulator", page_icon=str(FAVICON), layout="wide"
    )
    # A projector's 1280x720: less empty space above the title, labels that wrap rather than cut.
    st.html(
        """<style>
        .block-container, [data-testid=stMainBlockContainer] {padding-top: 2.2rem;}
        h1 {font-size: 2rem !important; padding-bottom: 0.3rem !important;}
        [data-testid=stMetricLabel] p {white-space: normal; font-size: 0.95rem;}
        [data-testid=stMetricValue] {font-size: 1.75rem;}
        [data-testid=stMetricValue] div {overflow: visible;}
        </style>"""
    )

    navigation = st.navigation(
        [
            st.Page(
                "ui/pages/simulator.py",
                title="Simulator",
                icon=":material/play_circle:",
                default=True,
            ),
            st.Page(
                "ui/pages/compare.py", title="Compare scenarios", icon=":material/compare_arrows:"
            ),
            st.Page("ui/pages/organisation.py", title="Organisation", icon=":material/store:"),
            st.Page("ui/pages/experiments.py", title="Experiments", icon=":material/science:"),
            st.Page("ui/pages/setup.py", title="Your company", icon=":material/tune:"),
            st.Page("ui/pages/workshop.py", title="Workshop", icon=":material/groups:"),
            st.Page("ui/pages/facilitator.py", title="Facilitate", icon=":material/co_present:"),
            st.Page("ui/pages/about.py", title="About the model", icon=":material/menu_book:"),
        ]
    )
    if navigation.url_path in ("", "organisation"):  # the pages that read the levers
        sidebar.render()
    else:  # the session's choices are kept while the levers are not drawn
        state.init()
    navigation.run()


if __name__ == "__main__":  # not when a worker process re-imports the entry (spawn)
    main()
