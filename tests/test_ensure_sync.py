"""RAGEM's Flask remembers which functions are coroutine functions; it must answer as Flask does."""
import functools

import pytest
from flask import Flask

from ragem.app import RagemFlask


def plain():
    return 1


async def coroutine():
    return 2


class Hooks:
    def method(self):
        return 3

    async def coroutine_method(self):
        return 4


def test_sync_functions_come_back_as_they_are_and_async_ones_as_flask_wraps_them():
    ragem, flask = RagemFlask("ragem-test"), Flask("flask-test")
    hooks = Hooks()
    for func in (plain, hooks.method, functools.partial(plain), lambda: 5):
        for _ in range(2):  # the second answer comes from memory
            assert ragem.ensure_sync(func) == flask.ensure_sync(func) == func
    for func in (coroutine, hooks.coroutine_method, functools.partial(coroutine)):
        for _ in range(2):
            with pytest.raises(RuntimeError) as theirs:  # no async extra installed: Flask refuses
                flask.ensure_sync(func)
            with pytest.raises(RuntimeError) as ours:
                ragem.ensure_sync(func)
            assert str(ours.value) == str(theirs.value)
