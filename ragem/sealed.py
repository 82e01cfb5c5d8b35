"""Model attributes whose value is stored encrypted (and, when looked up, as a keyed hash).

``sealed("phone", lookup=contact_hash)`` on a model with the columns ``phone_ciphertext`` and
``phone_hash`` gives it a ``phone`` attribute that reads and writes in clear on the instance,
while the row holds only the AES-GCM ciphertext and the keyed hash (``ragem.pii``). In a
query ``Model.phone == value`` (and ``!=``, ``in_``) compares keyed hashes, so the code keeps
reading like before; anything a hash cannot answer (``like``, ordering, ranges) raises at once
instead of silently comparing ciphertexts. An attribute without ``lookup`` cannot be queried at all.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.sql import operators

from ragem.pii import decrypt, encrypt


class SealedComparator(Comparator):
    """Class-level ``Model.<sealed>``: equality and ``in_`` through the keyed hash, nothing else."""

    def __init__(self, name: str, hash_column: Any, lookup: Callable[[str], str] | None):
        super().__init__(hash_column)
        self.name = name
        self.lookup = lookup

    def __clause_element__(self):
        """Refuse ``select(Model.<sealed>)`` and ``order_by``: they would silently yield hashes."""
        raise TypeError(f"{self.name} is stored sealed: select the row and read the attribute")

    def _hashed(self, value: Any) -> Any:
        return None if value is None else self.lookup(value)

    def operate(self, op, *other, **kwargs):
        """Translate ``==``, ``!=`` and ``in_`` into comparisons of keyed hashes."""
        if self.lookup is None:
            raise TypeError(f"{self.name} is stored encrypted and cannot be queried")
        column = self.expression
        if op is operators.eq:
            return column == self._hashed(other[0])
        if op is operators.ne:
            return column != self._hashed(other[0])
        if op is operators.in_op:
            return column.in_([self._hashed(value) for value in other[0]])
        raise TypeError(f"{self.name} is stored as a keyed hash: only ==, != and in_ can be queried")

    def reverse_operate(self, op, other, **kwargs):
        """``value == Model.<sealed>`` is the same comparison turned round."""
        return self.operate(op, other, **kwargs)


def sealed(name: str, *, lookup: Callable[[str], str] | None = None,
           load: Callable[[str], Any] = str, dump: Callable[[Any], str] = str) -> hybrid_property:
    """An attribute ``name`` kept in ``<name>_ciphertext`` (and ``<name>_hash`` when ``lookup``).

    :param lookup: the keyed hash of the clear text (makes ``==``/``in_`` queries possible).
    :param load: turns the decrypted text into the attribute's value (e.g. ``date.fromisoformat``).
    :param dump: turns a value into the text that is encrypted and hashed.
    """
    cipher_attr, hash_attr = f"{name}_ciphertext", f"{name}_hash"

    def fget(self):
        token = getattr(self, cipher_attr)
        return None if token is None else load(decrypt(token))

    def fset(self, value):
        text = None if value is None else dump(value)
        setattr(self, cipher_attr, None if text is None else encrypt(text))
        if lookup is not None:
            setattr(self, hash_attr, None if text is None else lookup(text))

    def comparator(cls):
        column = getattr(cls, hash_attr) if lookup is not None else getattr(cls, cipher_attr)
        return SealedComparator(f"{cls.__name__}.{name}", column, lookup)

    prop = hybrid_property(fget, fset)
    prop = prop.comparator(comparator)
    prop.__doc__ = f"``{name}`` in clear, stored encrypted" + (" with a keyed hash for look-ups." if lookup else ".")
    return prop
