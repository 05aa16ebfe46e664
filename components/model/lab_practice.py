"""A lab's practice-mode actions: the answers, hints and reveals of components/model/practice.py applied
to the lab's cursor (a mixin of ``Lab``: it uses the lab's ``display``, ``practice``, ``stepper``,
``trace``, ``playing`` and ``advance_to``)."""

from __future__ import annotations

from components.model.practice import update_identity

__all__ = ["PracticeActions"]


class PracticeActions:
    @property
    def practising(self) -> bool:
        """Practice mode is on and the lab is stepping (not playing)."""
        return self.display.practice and not self.playing

    def follow_practice(self) -> None:
        """Practice follows the current update (a new update, new parameters or a new η start it
        afresh, with the values up to the cursor counted as seen), and the cursor stays within the
        values seen. Nothing happens while practice mode is off."""
        if not self.practising:
            return
        p, tr, update = self.practice, self.trace, self.stepper.update
        if p.named is None or p.named[0] is not tr or p.named[1] != update:  # (a hash of the weights: once a trace)
            p.named = (tr, update, update_identity(update, tr))
        p.follow(p.named[2], self.stepper.cursor)
        if self.stepper.cursor > p.frontier:
            self.stepper.seek(p.frontier)

    def practice_answer(self, text) -> bool:
        """A typed answer to the current question; right: the cursor moves on to it (True)."""
        self.follow_practice()
        ok = self.practice.answer(text, self.trace, self.display.granularity, self.display.digits)
        if ok:
            self.advance_to(self.practice.frontier)
        return ok

    def practice_hint(self) -> None:
        """The next hint for the current question (the third shows the answer and moves on)."""
        self.follow_practice()
        if self.practice.hint(self.trace.layout, self.display.granularity) == 3:
            self.advance_to(self.practice.frontier)

    def practice_reveal(self) -> None:
        """A class question revealed by the lecturer: the value is shown and the cursor moves on to it."""
        self.follow_practice()
        if self.practice.reveal(self.trace.layout, self.display.granularity):
            self.advance_to(self.practice.frontier)

    def restart_practice(self) -> None:
        """This update's practice from its first event again (every answer forgotten)."""
        self.follow_practice()
        self.practice.restart()
        self.stepper.seek(-1)

    def revealed_through(self) -> int:
        """The last event whose value may be shown: the practice frontier, or the update's last event."""
        if self.practising:
            self.follow_practice()
            return self.practice.frontier
        return self.stepper.n_events - 1
