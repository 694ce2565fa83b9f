"""Workbook mechanics, free of Flask and the database: guarded reading (``reader``), safe
streamed writing (``writer``), sheets that features declare and the multi-sheet import
(``workbook``), and uploads waiting for confirmation (``pending``)."""
