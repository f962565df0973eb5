"""Every flow the bot knows, wired in one place (the menu lists those `in_menu`, in this order).

Flow names are what rich-menu areas send as `a=start&f=<name>`."""

from handlers.chat.flows import (
    invite,
    join,
    leave,
    myagency,
    mydata,
    myreports,
    prefs,
    publicity,
    register,
    report,
    requests,
)

FLOWS = (
    register.FLOW,
    join.FLOW,
    invite.FLOW,
    requests.FLOW,
    report.FLOW,
    myreports.FLOW,
    myagency.FLOW,
    mydata.MYDATA,
    prefs.FLOW,
    publicity.FLOW,
    leave.FLOW,
    mydata.ERASE,
    mydata.CONSENT,
    mydata.NEWS_OFF,
)
