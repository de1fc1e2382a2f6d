"""Downloads: a file made when its button is clicked, without a rerun of the page."""


def download(where, label: str, data, file_name: str, mime: str, **options) -> None:
    """`where.download_button` (a column, the sidebar, `st`) that reruns nothing when clicked.

    A click's rerun would redraw the whole page for no change, and drop the
    file of another download clicked a moment later, before it arrived.
    """
    where.download_button(label, data, file_name, mime, on_click="ignore", **options)
