"""About the model: the Info tab for the workshop, the ODD protocol for researchers."""

import streamlit as st

from model import docs

st.title("About the model")
info, odd, table = st.tabs(["For the workshop", "ODD protocol", "Parameters"])
with info:
    for heading, text in docs.info_sections().items():
        st.subheader(heading)
        st.markdown(text)
with odd:
    for heading, text in docs.odd_sections().items():
        with st.expander(heading, expanded=heading == "Purpose and patterns"):
            st.markdown(text)
with table:
    st.dataframe(docs.parameter_table(), hide_index=True, width="stretch")
