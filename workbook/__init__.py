"""The workbook: exercises for notebooks 01-05 (notebooks/exercises/), checked by helpers.checks.

`from workbook import ex01` gives the exercises of 01_three_families; each has .check(answer), .hint()
and .solution(). The worked solutions and the typical wrong answers the tests try live in workbook/solutions/.
"""
