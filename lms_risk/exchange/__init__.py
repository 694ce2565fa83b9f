"""Export and import of the register as Excel workbooks (the sheets the risk board works in).

The workbook mechanics (safe streamed writing, guarded reading) live in ``lms_risk/excel`` and know
nothing of risks; this package maps the register onto sheets and back.
"""
