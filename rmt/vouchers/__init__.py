"""Scholingsvouchers: training providers, funding sources, regional budgets and vouchers."""
