"""The monthly leadership report: the analytics figures as an email with an Excel
workbook, sent by the scheduler to the users who asked for it."""
