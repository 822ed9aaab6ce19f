"""Every user-facing string of the Slack app, in one place."""

from __future__ import annotations

HELP = (
    "Ask me a question and I'll answer with sentences quoted exactly from our own articles, "
    "each with its outlet, date and link.\n"
    "• In a channel: `@newsdesk how many NK soldiers died?` (I answer in the thread)\n"
    "• In a DM: just write the question\n"
    "• Follow up in the same thread (or DM, within a few minutes): `@newsdesk and how many were "
    "wounded?` is read with the question before it, and I say which one\n"
    "• Anywhere: `/newsdesk how many NK soldiers died?` (only you see the answer)\n"
    '• Check a quote: `/newsdesk check "About 600 North Korean soldiers have died fighting for Russia"`, '
    "or on any message choose ⋮ → *Check against archive*\n"
    "Narrow a search with `since:2024-03-01`, `until:2024-12-31` or `source:AFP`, or to one "
    "speaker with `said:Lee` (or ask `what did Lee say about the troops?`)."
)
HELP_FALLBACK = "Ask me a question: I answer with exact, cited sentences from our articles."

NO_ANSWER = "No supporting sentences found in {articles} {noun}."
NO_ANSWER_BECAUSE = "No supporting sentences found in {articles} {noun}: {reason}."
SEARCHED_AS = "Searched as: _{question}_"
FOLLOW_UP_TO = "Read as a follow-up to: _{question}_"
CAUTION = ":warning: {caution}"
NO_ANSWER_HINT = "Try other words, or narrow with `since:2024-03-01` or `source:AFP`."
NO_MORE = "No more supporting sentences for this question."
RESULTS_FOR = "*Question:* {question}"
MORE_RESULTS_FOR = "*More results for:* {question}"
SHARED_BY = "<@{user}> asked: {question}"
ALSO_REPORTED_BY = "Also reported by {outlets}"
ATTRIBUTED_TO = ":speaking_head_in_silhouette: *{speaker}* ({cue})"
ATTRIBUTED_CITING = ", citing {citing}"
ATTRIBUTED_QUOTED = "quoted"
DATE_UNKNOWN = "date unknown"
OUTLET_UNKNOWN = "outlet unknown"
LINK = "link"
FIGURE = "*{figure}*"
TIMELINE_TITLE = "*How this figure changed* (oldest first)"
TIMELINE_ENTRY = "{date} · *{figure}* · {source}\n>{text}"
CUT_RESULTS = "Showing the first {shown} of {total} results (Slack's message size limit)."

QUESTION_TRIMMED = (
    "Your question was {length:,} characters long; I searched its first {limit:,} characters. "
    "A short question works best."
)
NOT_ENGLISH = "The articles are searched with an English model: questions in English work best."

BUTTON_CONTEXT = "Show context"
BUTTON_CITE = "Cite"
BUTTON_MORE = "More results"
BUTTON_SHARE = "Share in channel"
BUTTON_UP = "👍"
BUTTON_DOWN = "👎"

CONTEXT_TITLE = "*{title}*"
CONTEXT_GONE = (
    "That sentence is no longer in the index (it was rebuilt since this answer). Ask again "
    "to get fresh results."
)
CITATION = "Citation, ready to copy:"
FEEDBACK_THANKS = "Thanks, your {vote} was recorded. It helps us improve the search."

ERROR_GENERIC = "Something went wrong; the error was logged. Please try again in a moment."
ERROR_POST_FAILED = (
    "I found an answer but Slack refused to post it ({error}). The error was logged; "
    "please try again or ask me in a DM."
)
ERROR_NOT_ALLOWED = (
    "I only answer in the channels my admins chose. Ask me in a DM, or in one of those channels."
)
ERROR_SHARE_FAILED = (
    "Slack refused to share this answer in the channel ({error}). The error was logged; "
    "the answer is still here, visible only to you."
)
SHARE_EXPIRED = (
    "I no longer hold that answer (I was restarted, or it is too old), so I shared nothing. "
    "Ask again and share the new answer."
)
MORE_NOT_POSTED = (
    "I couldn't post these results in the thread ({error}), so here they are, visible only to you. "
    "To have me answer in this channel, invite me: `/invite @newsdesk`."
)
ATTACHMENTS_NOT_READ = "I read only the text of a message: attached files are not read."

HOME_TITLE = "newsdesk"
HOME_INTRO = (
    "I answer newsroom questions with sentences quoted exactly from our own articles, "
    "with outlet, date and link, so you can check and cite them."
)
HOME_STATS = (
    "*What is indexed*\n"
    "• {articles:,} articles, {sentences:,} sentences\n"
    "• Dates: {date_range}{undated}\n"
    "• Last rebuild: {built_at}"
)
HOME_UNDATED = " ({count:,} undated)"
HOME_OUTLETS = "*Outlets*\n{outlets}"
HOME_MORE_OUTLETS = "…and {count:,} more"
HOME_NO_INDEX = "*No index yet.* {error}"
HOME_HOW = "*How to ask*\n" + HELP

# Quote check (/newsdesk check "…" and the "Check against archive" message shortcut).
QUOTE_CHECKED = "*Quote checked:* “{quote}”"
QUOTE_EXACT = ":white_check_mark: *Exact*: published in these words."
QUOTE_CLOSE = (
    ":warning: *Close*: the same sentence was published with other words. "
    "Quote the published wording (Cite) or paraphrase."
)
QUOTE_NOT_FOUND = (
    ":x: *Not found*: no sentence in the {articles} {noun} searched carries these words or a close "
    "version of them. Do not cite it from the archive."
)
QUOTE_DIFFERENCES = "*Differences* (quoted → published):"
QUOTE_DIFFERENCE = "{quoted} → {published}"
QUOTE_NOTHING = "_(nothing)_"
QUOTE_FIRST_PUBLISHED = "first published"
QUOTE_ALSO_CARRIED = "Also carried by: {outlets}"
QUOTE_FALLBACK = "Quote check: {verdict}. {citation}"
QUOTE_FALLBACK_NOT_FOUND = "Quote check: not found in the archive: “{quote}”"
QUOTE_EMPTY = (
    "Give me a quote to check, e.g. "
    '`/newsdesk check "About 600 North Korean soldiers have died fighting for Russia"`.'
)
HOME_FIGURES = (
    "*Figures over time*\n"
    "Ask for a figure (how many, how much, what share, a death toll, a cost), e.g. "
    "`@newsdesk how many NK soldiers died?`: each sentence shows its figure in bold "
    "(*Around 600*), the newest report of the figure comes first, and a *How this figure changed* "
    "block lists the figures reported on that subject, oldest first, with their dates and outlets, "
    "when more than one was reported. "
    "A question that names a date (`in 2016`) keeps the best match first."
)
