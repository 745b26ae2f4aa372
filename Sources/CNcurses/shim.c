// The wide-character and extended-colour parts of curses.h are only
// declared when these are set before the include.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1

#include "CNcurses.h"

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <wchar.h>

static SCREEN *active_screen = NULL;
static volatile sig_atomic_t interrupted = 0;

void glimpse_adopt_locale(void) { setlocale(LC_ALL, ""); }

bool glimpse_start(int timeout_ms, bool mouse) {
    if (active_screen != NULL) return true;
    active_screen = newterm(NULL, stdout, stdin);
    if (active_screen == NULL) return false;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(timeout_ms);
    // Esc alone closes overlays; the default one-second wait for a
    // following byte would make that feel broken.
    set_escdelay(25);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    if (mouse) {
        mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
        mouseinterval(0);
    }
    return true;
}

void glimpse_stop(void) {
    if (active_screen == NULL) return;
    // Terminals without an alternate screen would keep the last frame.
    erase();
    refresh();
    endwin();
    delscreen(active_screen);
    active_screen = NULL;
    fflush(stdout);
}

static void raise_interrupt_flag(int signal_number) {
    (void)signal_number;
    interrupted = 1;
}

// Best effort: endwin is not async-signal-safe, but a crash that leaves
// the terminal in raw mode without echo is worse.
static void restore_then_die(int signal_number) {
    if (active_screen != NULL) endwin();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void glimpse_install_signal_handlers(void) {
    signal(SIGINT, raise_interrupt_flag);
    signal(SIGTERM, raise_interrupt_flag);
    const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (unsigned index = 0; index < sizeof fatal / sizeof fatal[0]; index++) {
        signal(fatal[index], restore_then_die);
    }
}

bool glimpse_interrupted(void) { return interrupted != 0; }

void glimpse_screen_size(int *rows, int *columns) {
    int height = 0, width = 0;
    getmaxyx(stdscr, height, width);
    *rows = height;
    *columns = width;
}

int glimpse_colour_count(void) { return has_colors() ? COLORS : 0; }

int glimpse_pair_capacity(void) { return COLOR_PAIRS > 1 ? COLOR_PAIRS - 1 : 0; }

bool glimpse_define_pair(int pair, int foreground, int background) {
    return init_extended_pair(pair, foreground, background) == OK;
}

void glimpse_put_cell(int row, int column, uint32_t codepoint, unsigned attributes, int pair) {
    attr_t curses_attributes = A_NORMAL;
    if (attributes & GLIMPSE_ATTRIBUTE_BOLD) curses_attributes |= A_BOLD;
    if (attributes & GLIMPSE_ATTRIBUTE_REVERSE) curses_attributes |= A_REVERSE;
    if (attributes & GLIMPSE_ATTRIBUTE_UNDERLINE) curses_attributes |= A_UNDERLINE;
    if (attributes & GLIMPSE_ATTRIBUTE_DIM) curses_attributes |= A_DIM;
    wchar_t text[2] = {(wchar_t)codepoint, L'\0'};
    cchar_t cell;
    // Passing the pair through `opts` lifts the 16-bit limit of the pair argument.
    int extended_pair = pair;
    setcchar(&cell, text, curses_attributes, 0, &extended_pair);
    // The bottom-right cell reports ERR because the cursor cannot advance,
    // yet the character is written.
    mvadd_wch(row, column, &cell);
}

void glimpse_invalidate(void) { clearok(curscr, TRUE); }

void glimpse_refresh(void) { refresh(); }

static glimpse_key translate_key(wint_t code) {
    switch (code) {
    case KEY_UP: return GLIMPSE_KEY_UP;
    case KEY_DOWN: return GLIMPSE_KEY_DOWN;
    case KEY_LEFT: return GLIMPSE_KEY_LEFT;
    case KEY_RIGHT: return GLIMPSE_KEY_RIGHT;
    case KEY_ENTER: return GLIMPSE_KEY_ENTER;
    case KEY_BACKSPACE: return GLIMPSE_KEY_BACKSPACE;
    case KEY_BTAB: return GLIMPSE_KEY_BACKTAB;
    case KEY_HOME: return GLIMPSE_KEY_HOME;
    case KEY_END: return GLIMPSE_KEY_END;
    case KEY_PPAGE: return GLIMPSE_KEY_PAGE_UP;
    case KEY_NPAGE: return GLIMPSE_KEY_PAGE_DOWN;
    case KEY_DC: return GLIMPSE_KEY_DELETE;
    default: return GLIMPSE_KEY_OTHER;
    }
}

glimpse_input glimpse_read_input(void) {
    glimpse_input input = {GLIMPSE_INPUT_NONE, 0, GLIMPSE_KEY_OTHER, 0, 0};
    wint_t code = 0;
    int status = get_wch(&code);
    if (status == OK) {
        input.kind = GLIMPSE_INPUT_CHARACTER;
        input.codepoint = (uint32_t)code;
    } else if (status == KEY_CODE_YES) {
        if (code == KEY_RESIZE) {
            input.kind = GLIMPSE_INPUT_RESIZE;
        } else if (code == KEY_MOUSE) {
            MEVENT event;
            if (getmouse(&event) == OK && (event.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) {
                input.kind = GLIMPSE_INPUT_CLICK;
                input.row = event.y;
                input.column = event.x;
            }
        } else {
            input.kind = GLIMPSE_INPUT_KEY;
            input.key = translate_key(code);
        }
    }
    return input;
}
