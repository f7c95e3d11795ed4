from wagtail import hooks


@hooks.register("construct_help_menu")
def _no_outside_help_links(request, menu_items):
    # The help menu points at Wagtail's English guides on the internet; editors here are served
    # by the province's own instructions, and the admin makes no requests outside this site.
    menu_items.clear()
