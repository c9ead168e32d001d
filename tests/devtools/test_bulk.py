"""The seeds' progress bar draws in place."""

import io

from devtools.bulk import Progress


def test_progress_redraws_in_place_and_ends_the_line():
    stream = io.StringIO()
    progress = Progress(4, stream=stream)
    progress.stage("answers")
    progress.advance(2)
    seconds = progress.done("done")
    text = stream.getvalue()
    assert text.startswith("\r[") and text.endswith("\n")
    assert "answers" in text and "100%" in text and "done" in text
    assert seconds >= 0
