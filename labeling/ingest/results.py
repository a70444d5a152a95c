"""What the ingest service says about each file."""

from dataclasses import dataclass


class Refusal(Exception):
    """One file refused, with a stable code and a sentence for people."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class FileResult:
    name: str
    status: str  # created | duplicate | error
    image_id: int | None = None
    task_id: int | None = None
    code: str | None = None
    detail: str | None = None

    @classmethod
    def refused(cls, name: str, refusal: Refusal) -> "FileResult":
        return cls(name=name, status="error", code=refusal.code, detail=refusal.detail)

    def as_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if value is not None}
