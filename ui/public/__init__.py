"""Public pages and endpoints served beside the Streamlit app, reached without signing in."""
