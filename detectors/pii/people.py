"""Who a person is, fixed where the text introduces them: document-level resolution of short mentions.

One sentence cannot tell an official quoted by given name alone ("ông Cảnh nói") from a private person
quoted the same way ("ông Hoàng nói"), nor a foreign private person named by surname ("Maeda") from a
foreign public figure. The story can: an article introduces a person once with their role ("ông Phạm Minh
Cảnh, Chủ tịch xã", "ông Maeda, 70 tuổi") and then names them short. Here every capitalised run the sentence
rules judged is a `Candidate` with the role its own sentence gave it; `cast` collects, per document, who was
introduced in a public role and who as a private person, and `resolve` lets an uncued short mention take the
role of the person it names. A name introduced both ways (two namesakes) stays as each sentence decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from canhbao.detectors.pii.patterns import Span

# What the candidate's own sentence says: "title" (a title, an office, a public figure's list), "quoted"
# (quoted the way officials are, and nothing more: "ông X cho biết", "Theo ông X"), "affiliated" (a school or
# a workplace after the name: "cô X, giáo viên trường Y"), "foreign" (a foreign name
# without any cue), "private" (a private or patient cue, an age, a patient number), "plain" (reported as a
# name without a private cue: "ông Cảnh nói", a full name alone), "other" (not a person: a place, a byline).
Role = Literal["title", "quoted", "affiliated", "foreign", "private", "plain", "other"]


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    words: tuple[str, ...]  # folded, lower case
    role: Role
    span: Span | None  # the name the sentence rules report here, if any
    person: bool = True  # looks like a person's name (not a place's) when introduced in a role
    foreign: bool = False  # a word of it is no Vietnamese syllable

    @property
    def full(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Cast:
    """The document's people by the keys they are named by: their full name and, named short, the given
    name (Vietnamese) or any word of the name (foreign)."""

    public: frozenset[str]
    private: frozenset[str]

    def only_public(self, key: str) -> bool:
        return key in self.public and key not in self.private

    def only_private(self, key: str) -> bool:
        return key in self.private and key not in self.public


def keys(c: Candidate) -> set[str]:
    """The keys a later mention may use for this person: the full name and its tails ("Phạm Ngọc Thanh" when
    the run read "HCM Phạm Ngọc Thanh"), and the given name or, foreign, any word of the name."""
    out = {" ".join(c.words[i:]) for i in range(len(c.words) - 1)} | {c.full}
    if c.foreign:
        out |= {w for w in c.words if len(w) >= 3}
    elif c.words and len(c.words[-1]) >= 2:
        out.add(c.words[-1])
    return out


def cast(candidates: list[Candidate]) -> Cast:
    """Who the document introduces in a public role and who as a private person."""
    public: set[str] = set()
    private: set[str] = set()
    for c in candidates:
        if c.role == "title" and c.person:
            public |= keys(c)
        elif c.role == "private":
            private |= keys(c)
    return Cast(frozenset(public), frozenset(private))


def resolve(candidates: list[Candidate], people: Cast) -> list[Span]:
    """The sentence rules' names, with each uncued mention given the role its person was introduced in:
    a plain mention of a public person is dropped ("ông Cảnh nói" after "ông Phạm Minh Cảnh, Chủ tịch xã"),
    a quoted or uncued foreign mention of a private person is reported ("Maeda" after "ông Maeda, 70 tuổi")."""
    out: list[Span] = []
    for c in candidates:
        if c.role == "plain" and c.span is not None:
            if not people.only_public(c.full):
                out.append(c.span)
        elif c.role in ("quoted", "affiliated", "foreign") and people.only_private(c.full):
            out.append(Span("name", c.start, c.end, 0.8))
        elif c.span is not None:
            out.append(c.span)
    return out
