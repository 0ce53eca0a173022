-- expect completion: emit_review_note
tools.$0
