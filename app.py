"""Overview: how is the portfolio?"""

import streamlit as st

from pages.common import read, setup

ctx = setup("Portfolio overview", "📊")
portfolio = read(ctx, "portfolio", as_of=ctx.as_of)
if portfolio.empty:
    st.info("No customers yet.")
else:
    st.dataframe(portfolio, hide_index=True)
