"""A minimal server-sent events reader over a file-like HTTP response."""

from typing import IO, Iterator, NamedTuple, Optional


class ServerSentEvent(NamedTuple):
    event: str
    id: Optional[str]
    data: str


def read_events(stream: IO[bytes]) -> Iterator[ServerSentEvent]:
    """Yields each event of the stream; comment lines (keep-alives) are skipped."""
    event, event_id, data = "message", None, []  # type: str, Optional[str], list
    for raw in stream:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                yield ServerSentEvent(event, event_id, "\n".join(data))
            event, event_id, data = "message", None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "id":
            event_id = value
        elif field == "data":
            data.append(value)
