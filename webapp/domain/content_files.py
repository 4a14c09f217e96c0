"""Errors in content files (questionnaire definitions, goal libraries), worded the same way.

Every message names the file, what in it is at fault (an item, a goal, or a path such as
``scoring.scales[1]``), the problem, and the line where it was found.
"""

from __future__ import annotations

from collections.abc import Sequence


class ContentFileError(Exception):
    """One problem in one file. ``subject`` is the id at fault (worded with ``subject_word``),
    or a path when ``subject_is_path`` is true, or ``None``."""

    subject_word = "entry"

    def __init__(
        self,
        file: str,
        subject: str | None,
        problem: str,
        line: int | None = None,
        *,
        subject_is_path: bool = False,
    ) -> None:
        self.file = str(file)
        self.subject = subject
        self.problem = problem
        self.line = line
        self.subject_is_path = subject_is_path
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [self.file]
        if self.subject is not None:
            parts.append(self.subject if self.subject_is_path else f"{self.subject_word} '{self.subject}'")
        message = ": ".join(parts + [self.problem])
        if self.line is not None:
            message += f" (line {self.line})"
        return message

    def __str__(self) -> str:
        return self._message()


class ContentFileErrors(Exception):
    """One or more files are broken. ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[ContentFileError]) -> None:
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
