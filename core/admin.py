"""What the admin of every app shares."""


def without_record_stamps(fieldsets, obj):
    """No empty "created/updated" box (the fieldset named "Record") on an
    add form."""
    if obj is not None:
        return fieldsets
    return [(name, options) for name, options in fieldsets if name != "Record"]
