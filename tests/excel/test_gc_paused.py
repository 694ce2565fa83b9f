"""Garbage collection is paused while a workbook is read, planned or written, and always
switched back on afterwards, also when the work fails."""

import gc

import pytest

from lms_risk.excel.workbook import gc_paused


def test_collection_is_paused_inside_and_back_on_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("broken sheet")
    assert gc.isenabled()


def test_a_caller_that_paused_collection_itself_keeps_it_paused():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
