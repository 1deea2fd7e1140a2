;;; emacs_e2e.el --- End-to-end test of clients/emacs/code4me.el  -*- lexical-binding: t; -*-

;; Run by emacs_e2e.sh:  emacs --batch -Q -L clients/emacs -l tests/clients/emacs_e2e.el
;; Starts the real code4me-lsp through eglot and code4me.el, types with `execute-kbd-macro'
;; (so post-command-hook and the minor-mode keymap act as for a user), reads the ghost text back
;; from the overlay, accepts it with TAB, and checks through code4me/queryState what the server
;; recorded. Every wait is bounded; a failure exits non-zero with the step that failed.

(require 'cl-lib)
(require 'code4me)

(defconst e2e-exe (or (getenv "CODE4ME_LSP_EXE") (error "CODE4ME_LSP_EXE is not set")))
(defconst e2e-workspace (file-name-as-directory (or (getenv "CODE4ME_TEST_WORKSPACE") (error "CODE4ME_TEST_WORKSPACE is not set"))))
(defconst e2e-wait-seconds 20)
(defvar e2e-step "start")
(defvar e2e-chat nil)

(defun e2e-fail (fmt &rest args)
  (error "%s" (apply #'format fmt args)))

(defun e2e-wait (what predicate)
  "Process events until PREDICATE returns non-nil (its value is returned), or fail after a bound."
  (setq e2e-step what)
  (let ((deadline (+ (float-time) e2e-wait-seconds)) value)
    (while (not (setq value (funcall predicate)))
      (when (> (float-time) deadline)
        (e2e-fail "timed out after %ss waiting for %s" e2e-wait-seconds what))
      (accept-process-output nil 0.05))
    value))

(defun e2e-type (keys)
  (execute-kbd-macro (kbd keys)))

(defun e2e-ghost-overlay ()
  (seq-find (lambda (o) (and (overlay-get o 'code4me)
                             (> (length (or (overlay-get o 'after-string) "")) 0)))
            (overlays-in (point-min) (point-max))))

(defun e2e-query-state (server query-id)
  (jsonrpc-request server :code4me/queryState (list :queryId query-id)))

(defun e2e-write (file text)
  (with-temp-file file (insert text)))

;; Every message shown, for the checks (the server's window/showMessage arrives through `message').
(defvar e2e-messages nil)
(advice-add 'message :before
            (lambda (fmt &rest args)
              (when (stringp fmt)
                (push (apply #'format-message fmt args) e2e-messages))))

(defun e2e-messages-matching (text)
  (seq-count (lambda (m) (string-match-p (regexp-quote text) m)) e2e-messages))

(defconst e2e-model-base (getenv "C4_MODEL_BASE"))
(defconst e2e-fim-line (getenv "C4_FIM_LINE"))

(defun e2e-provider-completions ()
  "How many FIM completions the loopback provider (run_all.sh) has served."
  (let ((out (with-output-to-string
               (with-current-buffer standard-output
                 (call-process "python3" nil t nil "-c"
                               "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())"
                               (concat e2e-model-base "/stats"))))))
    (gethash "completions" (json-parse-string out))))

(defun e2e-invoke ()
  "Press the invoke key and wait for the server's answer."
  (let ((before code4me--responses))
    (code4me-dismiss)
    (e2e-type "C-c /")
    (e2e-wait "a response to the invoke key" (lambda () (> code4me--responses before)))))

(defun e2e-invoke-until (what predicate)
  "Invoke until PREDICATE holds for the shown ghost text (settings apply a moment after they change)."
  (let ((deadline (+ (float-time) e2e-wait-seconds)) done)
    (while (not done)
      (e2e-invoke)
      (setq done (and (code4me-visible-p) (funcall predicate)))
      (setq e2e-step what)
      (when (and (not done) (> (float-time) deadline))
        (e2e-fail "timed out waiting for %s; shown: %S" what (code4me-current-text))))))

(defun e2e-remote-model (endpoint)
  (list :name "editor-remote" :kind "OpenAi" :endpoint endpoint :timeoutMs 10000))

(defun e2e-line ()
  (buffer-substring-no-properties (line-beginning-position) (line-end-position)))

(defun e2e-missing-binary ()
  "Without the server binary: one clear message, no error from `post-command-hook', chat says the same."
  (let ((code4me-server-command (list (expand-file-name "no-such-code4me-lsp" e2e-workspace))))
    (code4me-setup)
    (add-hook 'python-mode-hook #'code4me-ensure)
    (dolist (name '("missing1.py" "missing2.py"))
      (let ((file (expand-file-name name e2e-workspace)))
        (e2e-write file "x = 1\n")
        (setq e2e-step (format "open %s without a server binary" name))
        (with-current-buffer (find-file-noselect file)
          ;; What the command loop runs after the command that opened the file.
          (condition-case err (run-hooks 'post-command-hook)
            (error (e2e-fail "post-command-hook signalled %S" err))))))
    (unless (= (e2e-messages-matching "was not found") 1)
      (e2e-fail "messages about the missing binary: %S" e2e-messages))
    (let ((chat (code4me-chat "hello")))
      (unless (string-match-p "was not found" (with-current-buffer chat (buffer-string)))
        (e2e-fail "chat without a server says: %s" (with-current-buffer chat (buffer-string))))
      (kill-buffer chat))
    (remove-hook 'python-mode-hook #'code4me-ensure)
    (dolist (name '("missing1.py" "missing2.py"))
      (kill-buffer (get-file-buffer (expand-file-name name e2e-workspace))))))

(defun e2e-run ()
  (let ((teacher (expand-file-name "teacher.py" e2e-workspace))
        (target (expand-file-name "target.py" e2e-workspace))
        server query-id ghost-text)
    (e2e-write teacher (concat "import numpy as np\n\n"
                               (mapconcat (lambda (i) (format "data%d = np.loadtxt(path, delimiter=\",\")\n" i))
                                          (number-sequence 1 8) "")))
    (e2e-write target "import numpy as np\n\n")
    (unless (and e2e-model-base e2e-fim-line)
      (e2e-fail "run through tests/clients/run_all.sh (it starts the model provider)"))
    (e2e-missing-binary)
    (setq code4me-server-command (list e2e-exe)
          code4me-settings '(:logging (:clientLevel "Warning") :completion (:blankLinePauseMs 600000))
          eglot-sync-connect 20)
    (code4me-setup)

    (setq e2e-step "eglot connects to code4me-lsp for teacher.py")
    (find-file teacher)
    (let ((default-directory e2e-workspace))
      (call-interactively #'eglot))
    (setq server (e2e-wait "the eglot server" (lambda () (code4me--server))))
    (unless (cl-typep server 'code4me-eglot-server)
      (e2e-fail "eglot started %S, not code4me-eglot-server" (eieio-object-class server)))

    (setq e2e-step "open target.py in the same server")
    (find-file target)
    (e2e-wait "eglot to manage target.py with code4me-mode on"
              (lambda () (and (eq (code4me--server) server) code4me-mode)))
    (dolist (file (list teacher target))
      (with-current-buffer (get-file-buffer file)
        (let ((state (jsonrpc-request server :code4me/documentState
                                      (list :textDocument (eglot--TextDocumentIdentifier)))))
          (unless (plist-get state :lineCount)
            (e2e-fail "code4me/documentState gave no lineCount for %s: %S" file state)))))

    ;; Type the start of the call the teacher file uses eight times, then ask explicitly.
    (goto-char (point-max))
    (e2e-type "data9 SPC = SPC np.loadtxt(")
    (unless (string= (buffer-substring (line-beginning-position) (point)) "data9 = np.loadtxt(")
      (e2e-fail "typing gave %S" (buffer-substring (line-beginning-position) (point))))
    (let ((line-start (line-beginning-position)))
      (e2e-type "C-c /")
      (let* ((ov (e2e-wait "ghost text (an overlay with after-string) at point" #'e2e-ghost-overlay))
             (shown (substring-no-properties (overlay-get ov 'after-string))))
        (unless (= (overlay-start ov) (point))
          (e2e-fail "ghost text at %d, point at %d" (overlay-start ov) (point)))
        (unless (string= shown (code4me-current-text))
          (e2e-fail "overlay shows %S but the suggestion is %S" shown (code4me-current-text)))
        (unless (string-match-p "path" shown)
          (e2e-fail "ghost text %S does not continue the taught pattern" shown))
        (setq ghost-text shown)
        (setq query-id (plist-get (aref (plist-get (plist-get (code4me-current-item) :command) :arguments) 0) :queryId))
        (unless (stringp query-id)
          (e2e-fail "the item carries no queryId: %S" (code4me-current-item))))

      ;; Accept with TAB (bound in code4me-mode only while ghost text is shown).
      (setq e2e-step "accept with TAB")
      (e2e-type "TAB")
      (when (code4me-visible-p) (e2e-fail "ghost text still shown after TAB"))
      (let ((expected (concat "data9 = np.loadtxt(" ghost-text)))
        (unless (string= (buffer-substring line-start (min (point-max) (+ line-start (length expected)))) expected)
          (e2e-fail "buffer holds %S, expected %S" (buffer-substring line-start (point-max)) expected)))
      (when (seq-find (lambda (o) (overlay-get o 'code4me)) (overlays-in (point-min) (point-max)))
        (e2e-fail "ghost overlay left behind after accept")))

    ;; The server has the same text and recorded shown + accepted.
    (setq e2e-step "the server text after accept")
    (eglot--signal-textDocument/didChange)
    (let ((state (jsonrpc-request server :code4me/documentState (list :textDocument (eglot--TextDocumentIdentifier))))
          (hash (secure-hash 'sha256 (encode-coding-string (buffer-substring-no-properties (point-min) (point-max)) 'utf-8))))
      (unless (string= (plist-get state :sha256) hash)
        (e2e-fail "server text differs from the buffer: %S" state)))
    (let ((recorded (e2e-wait "the server to record shown + accepted"
                              (lambda ()
                                (let ((s (e2e-query-state server query-id)))
                                  (and (eq (plist-get s :accepted) t) (>= (plist-get s :shownCount) 1) s))))))
      (when (eq (plist-get recorded :rejected) t)
        (e2e-fail "accepted completion recorded as rejected: %S" recorded))

      ;; Typing that diverges from the ghost text rejects it.
      (goto-char (point-max))
      (unless (bolp) (e2e-type "RET"))
      (e2e-type "data10 SPC = SPC np.loadtxt(")
      (e2e-type "C-c /")
      (e2e-wait "ghost text on the second line" #'code4me-visible-p)
      (let* ((item (code4me-current-item))
             (rejected-id (plist-get (aref (plist-get (plist-get item :command) :arguments) 0) :queryId))
             (key (if (string-prefix-p "Z" (code4me-current-text)) "Q" "Z")))
        (when (equal rejected-id query-id) (e2e-fail "second completion reused the first query id"))
        (e2e-type key)
        (when (and (code4me-visible-p) (equal (code4me-current-item) item))
          (e2e-fail "ghost text still shown after a diverging key"))
        (let ((state (e2e-wait "the server to record the rejection"
                               (lambda ()
                                 (let ((s (e2e-query-state server rejected-id)))
                                   (and (eq (plist-get s :rejected) t) s))))))
          (when (eq (plist-get state :accepted) t)
            (e2e-fail "rejected completion recorded as accepted: %S" state))))
      (code4me-dismiss)
      (e2e-wait "the mode line to say ready" (lambda () (equal (code4me--mode-line) " C4me[ready]")))

      ;; With nothing to cycle, next / previous change nothing.
      (let ((before (buffer-string)))
        (e2e-type "C-c ] C-c [")
        (unless (equal before (buffer-string)) (e2e-fail "next / previous without ghost text changed the buffer")))

      ;; A remote model set in `eglot-workspace-configuration' (the eglot way), next to the offline one, is
      ;; called; both answers can be cycled with M-n / M-p.
      (setq-default eglot-workspace-configuration
                    (list :code4me (list :completion (list :blankLinePauseMs 600000
                                                           :models (vector (list :name "ngram" :kind "Offline")
                                                                           (e2e-remote-model e2e-model-base))))))
      (eglot-signal-didChangeConfiguration server)
      (end-of-line)
      (e2e-type "RET data11 SPC = SPC np.loadtxt(")
      (e2e-invoke-until "two items, one from the editor-configured remote model"
                        (lambda () (= (length (code4me--ghost-items code4me--current)) 2)))
      (let ((first (code4me-current-text)) second)
        (e2e-type "M-n")
        (setq second (code4me-current-text))
        (unless (= (code4me--ghost-index code4me--current) 1) (e2e-fail "M-n did not show the second item"))
        (unless (member e2e-fim-line (list first second))
          (e2e-fail "the remote model's answer is not among %S" (list first second)))
        (when (equal first second) (e2e-fail "M-n showed the same text %S" first))
        (e2e-type "M-p")
        (unless (equal (code4me-current-text) first) (e2e-fail "M-p did not go back to %S" first)))
      (e2e-wait "the mode line to say ready with the remote model answering"
                (lambda () (equal (code4me--mode-line) " C4me[ready]")))

      ;; C-M-<right> accepts one line of a multi-line suggestion.
      (code4me-dismiss)
      (e2e-type "RET def SPC load(fname): RET")
      (let ((indent (e2e-line)))
        (unless (string-match-p "\\`[ \t]*\\'" indent) (e2e-fail "the function body line is %S" indent))
        (e2e-invoke-until "a two-line suggestion in the function body"
                          (lambda () (or (string-match-p "\n" (code4me-current-text))
                                         (and (code4me-next) (string-match-p "\n" (code4me-current-text))))))
        (let* ((text (code4me-current-text))
               (first (car (split-string text "\n")))
               (rest (substring text (1+ (length first)))))
          (e2e-type "C-M-<right>")
          (unless (and (equal (e2e-line) (concat indent first)) (equal (code4me-current-text) (concat "\n" rest)))
            (e2e-fail "after accept-line the line is %S and the ghost %S" (e2e-line) (code4me-current-text)))
          (e2e-type "C-M-<right>")
          (unless (and (not (code4me-visible-p)) (equal (e2e-line) rest))
            (e2e-fail "after the second accept-line the line is %S" (e2e-line)))))

      ;; manualOnly through `code4me-set-settings': typing asks no model; the invoke key still does.
      (setq-default eglot-workspace-configuration nil)
      (code4me-set-settings (list :completion (list :manualOnly t :blankLinePauseMs 600000
                                                    :models (vector (e2e-remote-model e2e-model-base)))))
      (e2e-type "RET rows SPC = SPC np.loadtxt")
      (let ((deadline (+ (float-time) e2e-wait-seconds)) quiet)
        (while (not quiet)
          (let ((served (e2e-provider-completions)) (before code4me--responses))
            (e2e-type "(")
            (e2e-wait "the response to the automatic request" (lambda () (> code4me--responses before)))
            (setq quiet (and (= served (e2e-provider-completions)) (not (code4me-visible-p))))
            (unless quiet (code4me-dismiss) (e2e-type "DEL")))
          (setq e2e-step "manualOnly from the editor to stop automatic requests")
          (when (and (not quiet) (> (float-time) deadline))
            (e2e-fail "automatic requests still reach the model after manualOnly"))))
      (e2e-invoke-until "the invoke key to ask the model under manualOnly"
                        (lambda () (equal (code4me-current-text) e2e-fim-line)))
      (code4me-dismiss)

      ;; A configured model that is down: one warning for the outage; the mode line says so.
      (code4me-set-settings (list :completion (list :blankLinePauseMs 600000
                                                    :models (vector (e2e-remote-model "http://127.0.0.1:1")))))
      (let ((warnings (e2e-messages-matching "is unreachable"))
            (deadline (+ (float-time) e2e-wait-seconds)))
        (while (not (equal (plist-get (code4me-status) :state) "unreachable"))
          (e2e-invoke)
          (setq e2e-step "the status to say unreachable")
          (when (> (float-time) deadline) (e2e-fail "status: %S" (code4me-status))))
        (e2e-invoke)
        (e2e-invoke)
        (e2e-wait "the warning about the unreachable model"
                  (lambda () (> (e2e-messages-matching "is unreachable") warnings)))
        (unless (= (e2e-messages-matching "is unreachable") (1+ warnings))
          (e2e-fail "warnings for one outage: %S" e2e-messages))
        (e2e-wait "the mode line to say unreachable"
                  (lambda () (equal (code4me--mode-line) " C4me[unreachable]"))))
      (code4me-set-settings (list :completion (list :blankLinePauseMs 600000
                                                    :models (vector (e2e-remote-model e2e-model-base)))))
      (e2e-invoke-until "the model to answer again" (lambda () (equal (code4me-current-text) e2e-fim-line)))
      (e2e-wait "the mode line to say ready again" (lambda () (equal (code4me--mode-line) " C4me[ready]")))
      (code4me-dismiss)
      ;; Chat: the reply streams into *code4me-chat*.
      (let* ((buffer (code4me-chat "What does np.loadtxt return?"))
             (answer (e2e-wait "the chat reply"
                               (lambda ()
                                 (with-current-buffer buffer
                                   (let ((text (buffer-string)))
                                     (and (string-match "## Code4me\n\n\\(.+\\)" text)
                                          (null (gethash (format "code4me-chat-%d" code4me--chat-count)
                                                         code4me--chat-tokens))
                                          (match-string 1 text))))))))
        ;; run_all.sh points the server at a loopback chat provider that streams C4_CHAT_REPLY in three pieces.
        (unless (equal answer (getenv "C4_CHAT_REPLY"))
          (e2e-fail "chat reply: %s (expected %S)" answer (getenv "C4_CHAT_REPLY")))
        (let ((window (get-buffer-window buffer t)))
          (unless (and window (= (window-point window) (with-current-buffer buffer (point-max))))
            (e2e-fail "the chat window is not at the end: %S of %S"
                      (and window (window-point window)) (with-current-buffer buffer (point-max)))))
        (setq e2e-chat "chat reply streamed into the buffer, whose window follows its end"))
      (format "ghost text %S accepted (server: shownCount=%d accepted=true); diverging keystroke recorded as rejected; %s"
              (car (split-string ghost-text "\n")) (plist-get recorded :shownCount) e2e-chat))))

(let ((code 0) message)
  (condition-case err
      (setq message (e2e-run))
    (error (setq code 1 message (format "%s [in %s, line %S]" (error-message-string err)
                                        (buffer-name) (ignore-errors (e2e-line))))))
  (ignore-errors
    (let ((server (with-current-buffer (or (get-file-buffer (expand-file-name "target.py" e2e-workspace)) (current-buffer))
                    (code4me--server))))
      (when server (eglot-shutdown server))))
  (princ (if (= code 0)
             (format "emacs_e2e: PASS %s\n" message)
           (format "emacs_e2e: FAIL at \"%s\": %s\n" e2e-step message))
         #'external-debugging-output)
  (kill-emacs code))
