// The offline scripts' messages in English, used only when /offline/messages.json cannot be
// loaded. Made from the translation catalogue by `python -m webapp.offline.messages`; do not edit.
window.CapableMessagesEnglish = {
  "locale": "en-GB",
  "messages": {
    "banner.see_saved": "See answers saved on this phone",
    "banner.send_now": "Send now",
    "banner.sending": "Sending when we can reach Capable.",
    "banner.sign_in_again": "Sign in again to send them.",
    "banner.stuck": {
      "one": "{count} of them could not be accepted and needs you to look at it.",
      "other": "{count} of them could not be accepted and need you to look at them."
    },
    "banner.unsent": {
      "one": "{count} set of answers is saved on this phone and not sent yet.",
      "other": "{count} sets of answers are saved on this phone and not sent yet."
    },
    "banner.when_online": "They will be sent when you are online.",
    "outbox.check_in_conflict": "Not accepted: this check-in could not be added to the goal. Download it and talk to your care team before deleting it.",
    "outbox.check_in_rejected": "Not accepted: this check-in does not fit the goal any more. Download it and talk to your care team before deleting it.",
    "outbox.check_in_sent": "Check-in sent {date}",
    "outbox.delete": "Delete from this phone",
    "outbox.download": "Download as a file",
    "outbox.item_title": "{title}, {date}",
    "outbox.not_answered": "Not answered",
    "outbox.nothing": "Nothing is waiting to be sent.",
    "outbox.results_sent": "Results sent {date}",
    "outbox.state_conflict": "Not accepted: different answers were already sent with this id. Download it and talk to your care team before deleting it.",
    "outbox.state_rejected": "Not accepted: these answers do not fit the questionnaire any more. Download them and talk to your care team before deleting them.",
    "outbox.state_signed_out": "Not sent: sign in again to send it.",
    "outbox.state_waiting": "Waiting to be sent. It will be sent when you are online.",
    "outbox.view": "View the answers",
    "outbox.waiting": {
      "one": "{count} set of answers is waiting to be sent.",
      "other": "{count} sets of answers are waiting to be sent."
    },
    "pager.error_prefix": "Error:",
    "pager.saved_to_account": "Your answers are also saved to your account, so you can carry on on another device.",
    "sign_out.count": {
      "one": "{count} set of answers is saved on this phone and has not been sent.",
      "other": "{count} sets of answers are saved on this phone and have not been sent."
    },
    "sign_out.delete": "Sign out and delete them",
    "sign_out.see": "See the answers that have not been sent",
    "sign_out.stay": "Stay signed in",
    "sign_out.title": "Your answers have not been sent",
    "sign_out.warning": "If you sign out now, they are deleted from this phone. Stay signed in and go online to send them first.",
    "update.button": "Update now",
    "update.text": "A new version of Capable is ready. Your answers saved on this phone are kept.",
    "update.title": "Update available"
  }
};
