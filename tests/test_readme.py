"""The README's example runs as printed, and prints what its comments say."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs_and_prints_its_comments():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1
    code = blocks[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    printed = out.getvalue().splitlines()
    promised = re.findall(r"print\(.*\)  # (.*)", code)
    assert promised == ["Counter({0: 946, 1: 54})", "Counter({0: 946, 1: 946})"]
    assert printed[:2] == promised
    score = float(printed[2])
    assert 0.5 < score <= 1.0
