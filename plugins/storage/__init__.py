"""plugins/storage"""
