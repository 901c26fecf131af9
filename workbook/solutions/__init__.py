"""Worked solutions of the workbook, and for each exercise the typical wrong answers its check must name.

WRONG[name] lists (answer, a phrase the verdict must contain): tests/test_workbook.py runs every one.
"""
