;;; code4me.el --- Code4me inline completion and chat over eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9") (jsonrpc "1.0.14"))
;; Keywords: tools, convenience
;; URL: https://github.com/code4me-me/code4me-lsp

;;; Commentary:

;; Connects eglot to code4me-lsp and shows its inline completions
;; (textDocument/inlineCompletion, LSP 3.18) as ghost text in an overlay.
;; Eglot gained its own inline completion only in 1.17 (Emacs 30), so this file
;; makes the request itself, through jsonrpc's public API.
;;
;; Each completion's fate is reported back to the server:
;;   shown     -> textDocument/didShowCompletion
;;   accepted  -> workspace/executeCommand with the item's command
;;   partly    -> textDocument/didPartiallyAcceptCompletion
;;   rejected  -> code4me/completionRejected
;;
;; Setup:
;;   (require 'code4me)
;;   (code4me-setup)            ; registers code4me-lsp for `code4me-major-modes'
;;   then M-x eglot in a Python buffer (or add `code4me-ensure' to python-mode-hook).
;;
;; Settings: `code4me-settings', or a `:code4me' section in `eglot-workspace-configuration'
;; (which wins).  The server asks for them (workspace/configuration) when it starts and after
;; every `eglot-signal-didChangeConfiguration'; `code4me-set-settings' changes them at runtime.
;;
;; Keys in `code4me-mode' (on in every buffer eglot manages with code4me-lsp):
;;   TAB       accept the ghost text (only while ghost text is shown)
;;   M-<right> accept the next word            (only while shown)
;;   C-M-<right> accept the rest of the line   (only while shown)
;;   M-n / M-p next / previous item            (only while shown)
;;   C-g       dismiss                          (only while shown)
;;   C-c /     ask for a completion now
;;   C-c .     code4me-chat

;;; Code:

(require 'cl-lib)
(require 'seq)
(require 'subr-x)
(require 'jsonrpc)
(require 'eglot)

(defgroup code4me nil
  "Code4me AI inline completion."
  :group 'tools
  :prefix "code4me-")

(defcustom code4me-server-command '("code4me-lsp")
  "Command (program and arguments) that starts the Code4me language server."
  :type '(repeat string))

(defcustom code4me-major-modes '(python-mode)
  "Major modes whose eglot server becomes code4me-lsp after `code4me-setup'.
Eglot 1.9 runs one server per major mode and project, so these modes give up
any other language server they were mapped to."
  :type '(repeat symbol))

(defcustom code4me-settings nil
  "The `code4me' settings object.
Sent as initializationOptions, and the answer to the server's
workspace/configuration request for the `code4me' section unless
`eglot-workspace-configuration' has a `:code4me' section.  A plist, for example
\(:completion (:manualOnly :json-false :debounceMinMs 50)
:logging (:clientLevel \"Warning\")).  Change it at runtime with
`code4me-set-settings'."
  :type 'sexp)

(defcustom code4me-auto-trigger t
  "When non-nil, request completions while typing (the server debounces)."
  :type 'boolean)

(defface code4me-ghost-face
  '((t :inherit shadow))
  "Face of the ghost text.")

;;;; Server class

(defclass code4me-eglot-server (eglot-lsp-server)
  ((status :initform nil :accessor code4me--server-status
           :documentation "The last code4me/status: (:state STRING :consent BOOL :message STRING)."))
  :documentation "Eglot connection to code4me-lsp.")

(cl-defmethod eglot-initialization-options ((_server code4me-eglot-server))
  (or code4me-settings eglot--{}))

(cl-defmethod eglot-client-capabilities ((server code4me-eglot-server))
  (let ((caps (cl-call-next-method server)))
    (plist-put caps :general '(:positionEncodings ["utf-16"]))
    (plist-put caps :textDocument
               (plist-put (plist-get caps :textDocument)
                          :inlineCompletion '(:dynamicRegistration :json-false)))))

(cl-defmethod eglot-handle-request
  ((_server code4me-eglot-server) (_method (eql workspace/configuration)) &key items)
  "Answer the `code4me' section.
From `eglot-workspace-configuration' when it has one, else `code4me-settings'."
  (let ((answers (cl-call-next-method)))
    (cl-loop for item across items
             for i from 0
             when (and (equal (plist-get item :section) "code4me") (null (aref answers i)))
             do (aset answers i (or code4me-settings eglot--{})))
    answers))

(cl-defmethod eglot-handle-notification
  ((server code4me-eglot-server) (_method (eql code4me/status)) &key state consent message &allow-other-keys)
  "Keep the server's status for the mode line."
  (setf (code4me--server-status server) (list :state state :consent (eq consent t) :message message))
  (force-mode-line-update t))

(defun code4me-status ()
  "The status of this buffer's code4me server, or nil.
A plist (:state STRING :consent BOOL :message STRING)."
  (when-let ((server (code4me--server)))
    (code4me--server-status server)))

(defun code4me--mode-line ()
  "The `code4me-mode' lighter, e.g. \" C4me[ready]\" or \" C4me[unreachable+consent]\"."
  (let ((status (code4me-status)))
    (if (not status)
        " C4me"
      (format " C4me[%s%s]" (plist-get status :state) (if (plist-get status :consent) "+consent" "")))))

(defun code4me-set-settings (settings)
  "Set `code4me-settings' to SETTINGS; every running code4me server applies them.
Models included: no restart is needed."
  (setq code4me-settings settings)
  (dolist (server (code4me--servers))
    (eglot-signal-didChangeConfiguration server)))

(defun code4me--servers ()
  "Every running code4me-lsp connection."
  (seq-filter (lambda (s) (cl-typep s 'code4me-eglot-server))
              (delete-dups (apply #'append (hash-table-values eglot--servers-by-project)))))

(defvar code4me--missing-reported nil
  "The program whose absence was reported (reported once per session).")

(defun code4me--program-missing ()
  "The server program when it cannot be run (said once), else nil."
  (let ((program (car code4me-server-command)))
    (unless (and (stringp program) (executable-find program))
      (unless (equal code4me--missing-reported program)
        (setq code4me--missing-reported program)
        (message "Code4me: the server %S was not found or is not executable.  Install it (see clients/emacs/README.md) or set `code4me-server-command'; Code4me stays off until then."
                 program))
      (or program "nil"))))

;;;###autoload
(defun code4me-ensure ()
  "Like `eglot-ensure', but when the server program is missing say so once.
Then nothing starts, and no error comes from `post-command-hook'.  Put this on
the hooks of `code4me-major-modes' (e.g. `python-mode-hook')."
  (unless (code4me--program-missing)
    (eglot-ensure)))

(defvar code4me--chat-tokens (make-hash-table :test #'equal)
  "Partial-result tokens of running chat requests -> chat buffer.")

(cl-defmethod eglot-handle-notification
  ((_server code4me-eglot-server) (_method (eql $/progress)) &key token value &allow-other-keys)
  "Stream chat partial results into the chat buffer."
  (when-let ((buffer (gethash token code4me--chat-tokens)))
    (let ((delta (cond ((stringp value) value)
                       ((listp value) (or (plist-get value :delta) (plist-get value :reply))))))
      (when (stringp delta)
        (puthash (cons token 'streamed) t code4me--chat-tokens)
        (code4me--chat-append buffer delta)))))

;;;###autoload
(defun code4me-setup ()
  "Register code4me-lsp in `eglot-server-programs' for `code4me-major-modes'.
Also turn on `code4me-mode' in buffers eglot manages with it."
  (add-to-list 'eglot-server-programs
               (cons code4me-major-modes (cons 'code4me-eglot-server code4me-server-command)))
  (add-hook 'eglot-managed-mode-hook #'code4me--maybe-enable))

(defun code4me--server ()
  "The code4me server of this buffer, or nil."
  (let ((server (ignore-errors (eglot-current-server))))
    (and server (cl-typep server 'code4me-eglot-server) server)))

(defun code4me--maybe-enable ()
  (if (and (bound-and-true-p eglot--managed-mode) (code4me--server))
      (code4me-mode 1)
    (when (bound-and-true-p code4me-mode)
      (code4me-mode -1))))

;;;; State of the ghost text

(cl-defstruct (code4me--ghost (:constructor code4me--ghost-create))
  buffer server start items (index 0) (prefix "") (typed "") overlay)

(defvar-local code4me--current nil "The ghost text shown in this buffer, or nil.")
(defvar-local code4me--seq 0 "Number of the newest completion request of this buffer.")
(defvar code4me--responses 0 "Inline-completion responses received (tests wait on it).")

(defun code4me--item (ghost)
  (aref (code4me--ghost-items ghost) (code4me--ghost-index ghost)))

(defun code4me--insert-text (item)
  (let ((text (plist-get item :insertText)))
    (if (stringp text) text (or (plist-get text :value) ""))))

(defun code4me--remaining (ghost)
  "What is still to insert of GHOST's item.
Nil when the buffer diverged from it."
  (let ((text (code4me--insert-text (code4me--item ghost)))
        (done (concat (code4me--ghost-prefix ghost) (code4me--ghost-typed ghost))))
    (when (string-prefix-p done text)
      (substring text (length done)))))

(defun code4me--utf16-length (string)
  (cl-loop for c across string sum (if (> c #xFFFF) 2 1)))

(defun code4me--notify (ghost method params)
  (let ((server (code4me--ghost-server ghost)))
    (when (jsonrpc-running-p server)
      (jsonrpc-notify server method params))))

(defun code4me--render (ghost)
  (let* ((text (or (code4me--remaining ghost) ""))
         (pos (+ (code4me--ghost-start ghost) (length (code4me--ghost-typed ghost))))
         (ov (or (code4me--ghost-overlay ghost)
                 (let ((o (make-overlay pos pos nil nil t)))
                   (overlay-put o 'code4me t)
                   (overlay-put o 'priority 100)
                   (setf (code4me--ghost-overlay ghost) o)))))
    (move-overlay ov pos pos)
    (let ((shown (propertize text 'face 'code4me-ghost-face)))
      (when (> (length shown) 0)
        ;; Keep the cursor before the ghost text, not after it.
        (put-text-property 0 1 'cursor t shown))
      (overlay-put ov 'after-string shown))))

(defun code4me--show (ghost)
  (code4me--render ghost)
  (code4me--notify ghost :textDocument/didShowCompletion (list :item (code4me--item ghost))))

(defun code4me--clear ()
  "Remove the ghost text without telling the server; return it."
  (let ((ghost code4me--current))
    (setq code4me--current nil)
    (when (and ghost (code4me--ghost-overlay ghost))
      (delete-overlay (code4me--ghost-overlay ghost)))
    ghost))

(defun code4me-visible-p ()
  "Non-nil when ghost text is shown in this buffer."
  (and code4me--current t))

(defun code4me-current-text ()
  "The ghost text shown in this buffer (what accepting would insert), or nil."
  (and code4me--current (code4me--remaining code4me--current)))

(defun code4me-current-item ()
  "The server's item behind the ghost text, as a plist, or nil."
  (and code4me--current (code4me--item code4me--current)))

;;;; Commands

(defun code4me-dismiss ()
  "Dismiss the ghost text and report it rejected."
  (interactive)
  (when-let ((ghost (code4me--clear)))
    (code4me--notify ghost :code4me/completionRejected (list :item (code4me--item ghost)))
    t))

(defun code4me-accept ()
  "Insert the ghost text and run the item's command (code4me.acceptCompletion)."
  (interactive)
  (when-let ((ghost code4me--current))
    (let ((text (or (code4me--remaining ghost) ""))
          (item (code4me--item ghost))
          (server (code4me--ghost-server ghost)))
      (code4me--clear)
      (insert text)
      (when-let ((command (plist-get item :command)))
        (eglot--signal-textDocument/didChange)
        (jsonrpc-async-request
         server :workspace/executeCommand
         (list :command (plist-get command :command) :arguments (plist-get command :arguments))
         :success-fn #'ignore
         :error-fn (lambda (err) (message "code4me: accept command failed: %s" (plist-get err :message)))
         :timeout-fn #'ignore))
      t)))

(defun code4me--accept-part (regexp)
  "Insert the part of the ghost text that REGEXP matches at its start; report it."
  (when-let ((ghost code4me--current))
    (let* ((text (or (code4me--remaining ghost) ""))
           (part (if (string-match regexp text) (match-string 0 text) text)))
      (if (or (string= part "") (string= part text))
          (code4me-accept)
        (insert part)
        (if (string-match-p "\n" part)
            ;; The ghost text moves down with point: the accepted text joins the prefix.
            (setf (code4me--ghost-prefix ghost) (concat (code4me--ghost-prefix ghost) (code4me--ghost-typed ghost) part)
                  (code4me--ghost-typed ghost) ""
                  (code4me--ghost-start ghost) (point))
          (setf (code4me--ghost-typed ghost) (concat (code4me--ghost-typed ghost) part)))
        (code4me--render ghost)
        (code4me--notify ghost :textDocument/didPartiallyAcceptCompletion
                         (list :item (code4me--item ghost)
                               :acceptedLength (code4me--utf16-length
                                                (concat (code4me--ghost-prefix ghost)
                                                        (code4me--ghost-typed ghost)))))
        t))))

(defun code4me-accept-word ()
  "Insert the next word of the ghost text and report the partial acceptance."
  (interactive)
  (code4me--accept-part "\\`\\(\n\\|[ \t]*[[:alnum:]_]+\\|[ \t]*[^[:alnum:]_ \t\n]+\\|[ \t]+\\)"))

(defun code4me-accept-line ()
  "Insert the rest of the ghost text's line and report it.
At a line break, the break and the next line."
  (interactive)
  (code4me--accept-part "\\`\r?\n?[^\r\n]+"))

(defun code4me--cycle (step)
  (when-let ((ghost code4me--current))
    (let ((n (length (code4me--ghost-items ghost))))
      (when (> n 1)
        (cl-loop repeat (1- n)
                 do (setf (code4me--ghost-index ghost) (mod (+ (code4me--ghost-index ghost) step) n))
                 until (code4me--remaining ghost))
        (code4me--show ghost)
        t))))

(defun code4me-next ()
  "Show the next item."
  (interactive)
  (code4me--cycle 1))

(defun code4me-previous ()
  "Show the previous item."
  (interactive)
  (code4me--cycle -1))

(defun code4me--items (result)
  "The usable items of an inlineCompletion RESULT, as a vector."
  (let ((items (cond ((vectorp result) result)
                     ((listp result) (plist-get result :items)))))
    (seq-into (seq-filter (lambda (item) (> (length (code4me--insert-text item)) 0)) items) 'vector)))

(defun code4me-complete (&optional trigger-kind)
  "Ask the server for an inline completion at point.
TRIGGER-KIND is 1 (invoked, the default and what the command sends)
or 2 (automatic)."
  (interactive)
  (let ((server (code4me--server))
        (kind (or trigger-kind 1)))
    (if (not server)
        (when (= kind 1) (user-error "code4me: no code4me-lsp server manages this buffer"))
      (eglot--signal-textDocument/didChange)
      (let* ((buffer (current-buffer))
             (point (point))
             (tick (buffer-chars-modified-tick))
             (seq (cl-incf code4me--seq))
             (params (append (eglot--TextDocumentPositionParams)
                             (list :context (list :triggerKind kind)))))
        (jsonrpc-async-request
         server :textDocument/inlineCompletion params
         :success-fn
         (lambda (result)
           (cl-incf code4me--responses)
           (when (buffer-live-p buffer)
             (with-current-buffer buffer
               (let ((items (code4me--items result)))
                 (when (and (= seq code4me--seq)
                            (> (length items) 0)
                            (eq (current-buffer) (window-buffer (selected-window)))
                            (= (point) point)
                            (= (buffer-chars-modified-tick) tick))
                   (code4me--clear)
                   (let ((ghost (code4me--ghost-create
                                 :buffer buffer :server server :start point :items items)))
                     (code4me--set-prefix ghost point)
                     (setq code4me--current ghost)
                     (code4me--show ghost)))))))
         :error-fn
         (lambda (err)
           (cl-incf code4me--responses)
           (when (and (= kind 1) (not (eql (plist-get err :code) -32800)))
             (message "code4me: inline completion failed: %s" (plist-get err :message))))
         :timeout-fn #'ignore)))))

(defun code4me--set-prefix (ghost point)
  "Record the buffer text inside the item's range before POINT (usually none)."
  (let* ((range (plist-get (code4me--item ghost) :range))
         (start (and range (ignore-errors (eglot--lsp-position-to-point (plist-get range :start))))))
    (when (and start (< start point) (= (line-number-at-pos start) (line-number-at-pos point)))
      (setf (code4me--ghost-prefix ghost) (buffer-substring-no-properties start point))
      (unless (code4me--remaining ghost)
        (setf (code4me--ghost-prefix ghost) "")))))

;;;; Typing

(defconst code4me--own-commands
  '(code4me-accept code4me-accept-word code4me-accept-line code4me-next code4me-previous code4me-dismiss code4me-complete))

(defun code4me--post-command ()
  "Keep the ghost text while the user types through it.
Reject it when the buffer or point diverge; trigger a request when typing."
  (let ((ghost code4me--current))
    (when (and ghost (not (memq this-command code4me--own-commands)))
      (let ((start (code4me--ghost-start ghost)))
        (if (or (< (point) start) (> (point) (line-end-position))
                (/= (line-number-at-pos start) (line-number-at-pos (point))))
            (code4me-dismiss)
          (let ((old (code4me--ghost-typed ghost)))
            (setf (code4me--ghost-typed ghost) (buffer-substring-no-properties start (point)))
            (let ((rest (code4me--remaining ghost)))
              (cond ((null rest) (setf (code4me--ghost-typed ghost) old) (code4me-dismiss))
                    ((string= rest "") (code4me--clear))
                    (t (code4me--render ghost))))))))
    (when (and code4me-auto-trigger (not code4me--current)
               (memq this-command '(self-insert-command newline python-indent-dedent-line-backspace
                                                        delete-backward-char backward-delete-char-untabify)))
      (code4me-complete 2))))

(defun code4me--menu-filter (command)
  "COMMAND while ghost text is shown, else nil (the key keeps its usual meaning)."
  (and code4me--current command))

(defvar code4me-mode-map
  (let ((map (make-sparse-keymap)))
    (dolist (binding '(("TAB" . code4me-accept) ("<tab>" . code4me-accept)
                       ("M-<right>" . code4me-accept-word)
                       ("C-M-<right>" . code4me-accept-line)
                       ("M-n" . code4me-next) ("M-p" . code4me-previous)
                       ("C-g" . code4me-dismiss)))
      (define-key map (kbd (car binding))
        `(menu-item "" ,(cdr binding) :filter code4me--menu-filter)))
    (define-key map (kbd "C-c /") #'code4me-complete)
    (define-key map (kbd "C-c ]") #'code4me-next)
    (define-key map (kbd "C-c [") #'code4me-previous)
    (define-key map (kbd "C-c .") #'code4me-chat)
    map)
  "Keys of `code4me-mode'.")

;;;###autoload
(define-minor-mode code4me-mode
  "Code4me ghost-text completions in an eglot-managed buffer."
  :lighter (:eval (code4me--mode-line))
  :keymap code4me-mode-map
  (if code4me-mode
      (add-hook 'post-command-hook #'code4me--post-command nil t)
    (remove-hook 'post-command-hook #'code4me--post-command t)
    (code4me-dismiss)))

;;;; Chat

(defun code4me--chat-append (buffer text)
  "Append TEXT to the chat BUFFER; every window showing it follows its end."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (save-excursion
          (goto-char (point-max))
          (insert text)))
      (dolist (window (get-buffer-window-list buffer nil t))
        (set-window-point window (point-max))))))

(defvar code4me--chat-id nil "The chatId of the running conversation.")
(defvar code4me--chat-count 0)

(defun code4me-chat (message)
  "Send MESSAGE to code4me/chat; the reply streams into the *code4me-chat* buffer."
  (interactive (list (read-string "Code4me chat: ")))
  (let* ((source (current-buffer))
         (server (or (code4me--server) (car (code4me--servers))))
         (buffer (get-buffer-create "*code4me-chat*"))
         (token (format "code4me-chat-%d" (cl-incf code4me--chat-count))))
    (with-current-buffer buffer
      (unless (derived-mode-p 'special-mode) (special-mode))
      (let ((inhibit-read-only t))
        (goto-char (point-max))
        (insert (if (bobp) "" "\n") "## You\n\n" message "\n\n## Code4me\n\n")))
    (display-buffer buffer)
    (code4me--chat-append buffer "")
    (if (not server)
        (code4me--chat-append
         buffer
         (if (code4me--program-missing)
             (format "Code4me: the server %S was not found; chat needs it (see clients/emacs/README.md).\n" (car code4me-server-command))
           "No code4me-lsp server is running: open a file eglot manages with it first.\n"))
      (puthash token buffer code4me--chat-tokens)
      (let ((params (list :message message :partialResultToken token)))
        (when code4me--chat-id (setq params (plist-put params :chatId code4me--chat-id)))
        (when (and (buffer-file-name source) (eq (code4me--server) server))
          (with-current-buffer source
            (setq params (plist-put params :textDocument (eglot--TextDocumentIdentifier)))))
        (jsonrpc-async-request
         server :code4me/chat params
         :success-fn
         (lambda (result)
           (let ((streamed (gethash (cons token 'streamed) code4me--chat-tokens)))
             (remhash token code4me--chat-tokens)
             (remhash (cons token 'streamed) code4me--chat-tokens)
             (setq code4me--chat-id (or (plist-get result :chatId) code4me--chat-id))
             (unless streamed
               (code4me--chat-append buffer (or (plist-get result :reply) "")))
             (when-let ((model (plist-get result :model)))
               (code4me--chat-append buffer (format "\n\n(%s)\n" model)))))
         :error-fn
         (lambda (err)
           (remhash token code4me--chat-tokens)
           (code4me--chat-append
            buffer
            (if (eql (plist-get err :code) -32601)
                (format "Code4me chat is unavailable: the server does not implement code4me/chat (%s)\n"
                        (plist-get err :message))
              (format "Code4me chat error %s: %s\n" (plist-get err :code) (plist-get err :message)))))
         :timeout 300
         :timeout-fn
         (lambda ()
           (remhash token code4me--chat-tokens)
           (code4me--chat-append buffer "Code4me chat: no answer from the server in time.\n")))))
    buffer))

(provide 'code4me)
;;; code4me.el ends here
