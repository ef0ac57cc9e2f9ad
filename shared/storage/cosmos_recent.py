"""The small documents this process wrote last, with their etags, so the next update of one can skip
its read and go straight to the conditional replace.

A remembered etag is only a guess: the replace is conditional on it, so if any writer anywhere has
changed the document since, Cosmos DB refuses it (412) and the update starts again from a fresh read.
When the replace succeeds, the remembered body was the stored one, so the mutation saw the truth.
Only small documents are kept (rate-limit counters, accounts, indexes), and only so many of them.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final

from shared.storage.base import Document, private_copy

MAX_DOCUMENTS: Final = 4096
MAX_CHARS: Final = 4096  # a rough size: characters of keys and strings, plus one per other value


def _small(value: Any, budget: int) -> int:
    """What is left of `budget` after `value`; negative once it is too big (the walk stops early)."""
    if isinstance(value, dict):
        for key, item in value.items():
            budget = _small(item, budget - len(key))
            if budget < 0:
                return budget
        return budget
    if isinstance(value, list):
        for item in value:
            budget = _small(item, budget)
            if budget < 0:
                return budget
        return budget
    return budget - (len(value) if isinstance(value, str) else 1)


class RecentDocuments:
    def __init__(self, max_documents: int = MAX_DOCUMENTS, max_chars: int = MAX_CHARS) -> None:
        self._docs: OrderedDict[str, Document] = OrderedDict()
        self._max_documents = max_documents
        self._max_chars = max_chars

    def __len__(self) -> int:
        return len(self._docs)

    def get(self, address: str) -> Document | None:
        """A private copy of the remembered document: the caller may change its body freely."""
        doc = self._docs.get(address)
        if doc is None:
            return None
        self._docs.move_to_end(address)
        return Document(private_copy(doc.body), doc.etag)

    def remember(self, address: str, doc: Document | None) -> None:
        if doc is None or _small(doc.body, self._max_chars) < 0:
            self._docs.pop(address, None)
            return
        self._docs[address] = Document(private_copy(doc.body), doc.etag)
        self._docs.move_to_end(address)
        while len(self._docs) > self._max_documents:
            self._docs.popitem(last=False)

    def forget(self, address: str) -> None:
        self._docs.pop(address, None)
